"""Transports: what turns a `Request` into a `Response`."""
