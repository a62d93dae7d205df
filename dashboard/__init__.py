"""Leaders' dashboards, the weekly bulletin and exports: reads only."""
