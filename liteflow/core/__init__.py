"""Cross-cutting pieces: errors, the message catalog, events, logging, state."""
