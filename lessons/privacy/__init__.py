"""The personal-data guard: detectors (detectors.py, pure), the refusal to publish unreviewed
findings and the reviewer's override (guard.py), its editor panel and the middleware that
turns a refusal into a message."""
