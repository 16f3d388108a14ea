from bestroute.cli import main

raise SystemExit(main())
