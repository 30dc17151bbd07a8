"""Media: probe, streaming decode and sampling, encoding."""
