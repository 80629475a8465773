"""`python -m s3syncpy`: the same as the `s3sync` command."""

from s3syncpy.cli.main import main

if __name__ == "__main__":
    main()
