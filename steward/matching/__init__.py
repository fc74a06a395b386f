"""Finding duplicate records: match views, blocking, comparison, a Fellegi–Sunter model and clustering."""
