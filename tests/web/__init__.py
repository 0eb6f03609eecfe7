"""Tests of playground/web through TestClient, one file per router, and the OpenAPI fuzzing."""
