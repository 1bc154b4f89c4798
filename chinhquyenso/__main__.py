from chinhquyenso.cli import main

main()
