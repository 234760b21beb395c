"""Tools for developing this project, shared by tests/ and scripts/ (never installed): the
mock's mutants and the real servers the tests and the scripts start."""
