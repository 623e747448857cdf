DROP TABLE kpi_monthly;
DROP TABLE kpi_daily;
DROP TABLE incident_facts;
