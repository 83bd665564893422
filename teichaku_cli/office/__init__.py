"""Reading an office's data: files → typed tables, with every problem located."""
