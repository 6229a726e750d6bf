from c2q_tui.cli import main

raise SystemExit(main())
