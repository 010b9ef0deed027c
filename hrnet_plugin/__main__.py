"""``python -m hrnet_plugin doctor``."""
import argparse
import sys

from .doctor import main as doctor


def main() -> int:
    parser = argparse.ArgumentParser(prog='python -m hrnet_plugin')
    parser.add_argument('command', choices=['doctor'], help='doctor: check the installed stack')
    parser.parse_args()
    return doctor()


if __name__ == '__main__':
    sys.exit(main())
