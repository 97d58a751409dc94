-- The application role whose idle sessions the walkthrough creates (opsflow never ends superusers' sessions).
CREATE ROLE app LOGIN PASSWORD 'app';
GRANT CONNECT ON DATABASE opsflow TO app;
-- opsflow's own role is the image's superuser here; on a real server give it pg_signal_backend and pg_read_all_stats.
