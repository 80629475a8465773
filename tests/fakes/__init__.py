"""Test doubles that subclass the application ports (InMemoryObjectStorage, content fakes)."""
