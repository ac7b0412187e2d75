SELECT 'a;b', E'c\';d', U&'d\0061t;', B'01', X'ff', N'n;', "quoted;""name";
SELECT $$;$$, $tag$ $$ ; $tag$, $1, a$$b; /* outer /* nested ; */ still ; */
SELECT 1 -- ; trailing
;
-- only a comment;
;;
SELECT 'multi
line;
string'
