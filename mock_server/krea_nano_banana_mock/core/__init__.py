"""The mock's core: jobs, tenants' limits and credits, time, the lifecycle, scenarios, webhooks,
result images and the journal. Plain data in, plain data out: nothing here knows HTTP."""
