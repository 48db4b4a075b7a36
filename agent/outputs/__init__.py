"""Output formats (pure functions of the alert document) and the transports that carry them."""
