"""Excel workbooks teichaku writes: results for staff, and the two documents."""
