"""A stateful mock of Krea's Nano Banana 2 API, driven by openapi.yaml."""
