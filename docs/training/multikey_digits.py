# multikey_digits.py ANSWERS.jsonl... (README, Results, point 16), each the ruler-answers.jsonl of `ra eval ruler --out DIR`:
# for niah_multikey's wrong answers, is the first wrong digit explained by induction on the previous digit
# (it follows the same digit somewhere in the needles' values) or by the same position in a distractor?
import json,re,sys,collections
for f in sys.argv[1:]:
  L=[json.loads(l) for l in open(f)]
  c=collections.Counter(); pos=collections.Counter()
  for x in L:
    if x['task']!='niah_multikey': continue
    a=x['answers'][0]; e=x['expected'][0]
    vals=[v for _,v in re.findall(r'numbers for (\S+) is: (\d+)',x['prompt'])]
    m=re.search(r'\d+',a['text']); o=m.group(0) if m else ''
    if o==e: c['right']+=1; continue
    if o in vals: c['a distractor value, whole']+=1; continue
    j=next((i for i in range(min(len(o),len(e))) if o[i]!=e[i]), min(len(o),len(e)))
    if j>=len(o): c['too short']+=1; continue
    pos[j]+=1
    prev = o[j-1] if j>0 else None
    follows = set(v[i+1] for v in vals for i in range(len(v)-1) if prev is not None and v[i]==prev)
    samepos = set(v[j] for v in vals if v!=e and j<len(v))
    k = ('induction' if o[j] in follows else '') + ('+' if o[j] in follows and o[j] in samepos else '') + ('same position' if o[j] in samepos else '')
    c['first wrong digit: '+(k or 'neither')]+=1
  n=sum(c.values())
  print(f); [print('  %-45s %3d (%4.1f%%)'%(k,v,100*v/n)) for k,v in c.most_common()]
  print('  first wrong digit position:', sorted(pos.items()))
