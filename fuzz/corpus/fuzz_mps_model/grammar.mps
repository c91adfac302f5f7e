* every part of the grammar streamml's reader takes (mps_format.h)
NAME          HAND      (a comment)
OBJSENSE MAX
OBJNAME
    profit
ROWS
 N  other
 n  profit
 E  e_up
 E  e_down
 L  l
 G  g
COLUMNS
    x         profit    3.0        e_up      1.0
    x         other     7.0
	x	l	2.5
    M         'MARKER'                 'INTORG'
    k         profit    -1.0       g         1.0
    b         e_down    1.0
    M         'MARKER'                 'INTEND'
    y         profit    +0.5E+00   g         -2e0
RHS
    profit    4.0
    e_up      1.0        e_down    2.0
    l         10.0       g         -1.5
RANGES
    R         e_up      2.0        e_down    -0.5
    R         l         -4.0       g         1.0
BOUNDS
 UP BND       x         -2.0
 LI BND       b         -3
 UI BND       b         5
 BV BND       k
 MI BND       y
 PL BND       y
ENDATA
