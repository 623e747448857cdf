DROP TABLE kpi_daily;
DROP TABLE incident_facts;
