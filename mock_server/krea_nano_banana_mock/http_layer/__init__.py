"""The API's door: routing, the operations' handlers, errors as answers, auth, the job's JSON,
request bodies, validation, deprecations, the control surface, the dispatcher and the ASGI app."""
