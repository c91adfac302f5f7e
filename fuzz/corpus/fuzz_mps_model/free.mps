NAME x
ROWS
 N obj
 L c1
COLUMNS
 x obj 1 c1 1
 y obj -1 c1 2
RHS
 rhs c1 3
BOUNDS
 BV b x
ENDATA
