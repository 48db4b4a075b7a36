"""Running the agent as a service: one ServiceCore, thin systemd and Windows front ends."""
