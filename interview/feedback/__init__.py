"""The domain: the prompt, the providers, pacing, the event stream and the records."""
