//! Statistics a city ranks its units by.

pub mod kpis;
