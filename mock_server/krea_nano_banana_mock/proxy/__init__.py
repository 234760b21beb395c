"""The proxy wing: forwarding to an upstream, judging its traffic against the spec, recording it
to cassettes and replaying them."""
