"""Entry point of the frozen (PyInstaller) build: a service host when the SCM starts it with no
arguments, the ordinary command line otherwise."""

from agent.service.windows import frozen_main

if __name__ == "__main__":
    frozen_main()
