-- By program (a household on two programs counts once under each); `program` is joined by |.
SELECT p.key, count(*) AS households, sum(members)::BIGINT AS members
FROM households, unnest(string_split(program, '|')) AS p(key)
WHERE program IS NOT NULL AND p.key <> ''
GROUP BY p.key ORDER BY p.key;
