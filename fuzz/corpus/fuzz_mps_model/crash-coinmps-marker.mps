NAME          TINY
OBJSENSE
    MAX
ROWS
 N  COST
 L  LIM1
 G  LIM2
 E  MYEQN
COLUMNS
    MARKER                 !'MARKER'                 'INTORG'
    X0        COST         1.0   LIM1         1.0
    X1        LICOLUMNS
    MARKER                M2         1.0
    MARKER                 'MARNAME s
OBKER'     J    SE