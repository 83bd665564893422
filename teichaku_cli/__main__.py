from teichaku_cli.cli import main

main()
