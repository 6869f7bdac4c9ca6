-- The lifecycle's lists on the dashboard and the workbench (issue 9): pending extensions, urges and follow-ups by
-- district and time, read without scanning every clock.
CREATE INDEX workflow_clocks_extension_requests_idx ON wageclue.workflow_clocks (district_id)
    WHERE extension_request_days IS NOT NULL AND met_at IS NULL AND cancelled_at IS NULL;
CREATE INDEX workflow_clocks_clock_started_idx ON wageclue.workflow_clocks (clock, district_id, started_at);
