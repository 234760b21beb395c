"""The testing wing: the in-process respx mock (`KreaMock`), the pytest plugin, virtual time for
SDK waits, and verification over the journal."""
