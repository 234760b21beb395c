"""Contract tests: does a server (the mock, or the real API) keep the rules of openapi.yaml?"""
