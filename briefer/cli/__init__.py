"""The command line: parses arguments, calls the library, maps errors to exit codes."""
