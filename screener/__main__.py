"""``python -m screener`` and the ``screener`` command. Ctrl-C and SIGTERM are taken in
hand before the command line and its libraries load, so an interruption even during
start-up exits 130 with one line rather than a traceback."""

import sys


def run() -> int:
    from screener.cli import interrupts

    interrupts.install()
    try:
        from screener.cli.main import main
    except KeyboardInterrupt:
        interrupts.hold()
        sys.stderr.write("screener: cancelled; nothing was saved.\n")
        return 130
    return main()


if __name__ == "__main__":
    sys.exit(run())
