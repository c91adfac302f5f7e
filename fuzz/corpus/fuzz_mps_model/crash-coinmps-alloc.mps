ROWSNAME x
ROWS
 N obj
COLUMNS
  x obj 1 nouschrow 2
ENDATA
