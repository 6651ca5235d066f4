from catalog.demo import main

main()
