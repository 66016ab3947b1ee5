-- What happened to each request, in a word (ok, error, cut, timeout, client_gone, shutdown): a stream broken off
-- after its 200 is recorded as such (and with a 5xx or 499 status), so it counts among the errors.
ALTER TABLE usage_records ADD COLUMN outcome TEXT;
