"""HTTP plumbing shared by the API, the UI and the webhooks: runtime, errors, input."""
