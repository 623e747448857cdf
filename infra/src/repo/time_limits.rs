//! Time limits per category and priority, over the category's own.

use diesel::prelude::*;
use gridops_domain::category::{Priority, TimeLimit, TimeUnit};
use gridops_domain::deadline::{Limits, PriorityLimits};

use crate::db::{DbConnection, DbError};
use crate::schema::time_limits;

type Row = (String, i32, String, i32, String);

fn limit(category: &str, amount: i32, unit: &str) -> Result<TimeLimit, DbError> {
    let corrupt = || DbError::Corrupt(format!("time limits of {category}: {amount} {unit}"));
    Ok(TimeLimit {
        amount: u32::try_from(amount).map_err(|_| corrupt())?,
        unit: TimeUnit::parse(unit).ok_or_else(corrupt)?,
    })
}

/// The overrides of one category, by priority.
pub fn of_category(
    conn: &mut DbConnection,
    category: &str,
) -> Result<Vec<PriorityLimits>, DbError> {
    time_limits::table
        .filter(time_limits::category_code.eq(category))
        .select((
            time_limits::priority,
            time_limits::acknowledge_amount,
            time_limits::acknowledge_unit,
            time_limits::resolve_amount,
            time_limits::resolve_unit,
        ))
        .load::<Row>(conn)?
        .into_iter()
        .map(|(priority, ack, ack_unit, resolve, resolve_unit)| {
            Ok(PriorityLimits {
                priority: Priority::parse(&priority).ok_or_else(|| {
                    DbError::Corrupt(format!("time limits of {category}: priority {priority}"))
                })?,
                limits: Limits {
                    acknowledge: limit(category, ack, &ack_unit)?,
                    resolve: limit(category, resolve, &resolve_unit)?,
                },
            })
        })
        .collect()
}

/// Replaces the overrides of one category with `overrides`.
pub fn replace(
    conn: &mut DbConnection,
    category: &str,
    overrides: &[PriorityLimits],
) -> Result<(), DbError> {
    diesel::delete(time_limits::table.filter(time_limits::category_code.eq(category)))
        .execute(conn)?;
    let amount = |l: TimeLimit| i32::try_from(l.amount).unwrap_or(i32::MAX);
    for o in overrides {
        diesel::insert_into(time_limits::table)
            .values((
                time_limits::category_code.eq(category),
                time_limits::priority.eq(o.priority.as_str()),
                time_limits::acknowledge_amount.eq(amount(o.limits.acknowledge)),
                time_limits::acknowledge_unit.eq(o.limits.acknowledge.unit.as_str()),
                time_limits::resolve_amount.eq(amount(o.limits.resolve)),
                time_limits::resolve_unit.eq(o.limits.resolve.unit.as_str()),
            ))
            .execute(conn)?;
    }
    Ok(())
}
