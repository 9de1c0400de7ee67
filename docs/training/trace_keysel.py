# trace_keysel.py ANSWERS.jsonl TRACE.txt MODEL (README, Results, point 16), run from the repository root, on the
# output of `ra eval ruler --out DIR` with the attention-trace plugin (--policies trace --set
# ra.policy.trace.file=TRACE.txt): per layer and KV head, where each decode step's argmax lands in niah_multikey
# samples: the asked needle's key or value tokens, another needle's, the question (last 40 tokens), elsewhere
import sys, json, re, subprocess, collections
answers=[json.loads(l) for l in open(sys.argv[1])]
blocks,cur=[],None
for l in open(sys.argv[2]):
    if l.startswith('prompt-end layer=0 kv-head=0 '): cur=[]; blocks.append(cur)
    m=re.match(r'decode step=(\d+) layer=(\d+) kv-head=(\d+) argmax=(\d+):([\d.]+)',l)
    if m: cur.append(tuple(int(x) for x in m.groups()[:4])+(float(m.group(5)),))
blocks=blocks[len(blocks)-len(answers):]
tally=collections.defaultdict(collections.Counter)
for a,b in zip(answers,blocks):
    open('/tmp/p.txt','w').write(a['prompt'])
    toks=json.loads(subprocess.run(['./ra','tokenize','--model',sys.argv[3],'--prompt-file','/tmp/p.txt','--json'],capture_output=True,text=True).stdout)
    pieces=[t['piece'] for t in toks]; region={}
    for i in range(len(pieces)-2):
        if pieces[i]==' is' and pieces[i+1]==':':
            j=i+2; val=''
            while j<len(pieces) and pieces[j]!='.': val+=pieces[j].strip(); j+=1
            for p in range(i+1,j+1): region[p]=(val,'value')
            k=i
            while k>0 and pieces[k]!=' for': k-=1
            for p in range(k+1,i+1): region[p]=(val,'key')
    want=a['expected'][0]; n=len(pieces)
    for step,layer,head,pos,w in b:
        if pos in region:
            val,kind=region[pos]; where=('asked ' if val==want else 'other ')+kind
        elif pos>=n-40: where='question'
        else: where='elsewhere'
        tally[(layer,head)][where]+=1
print('layer head: argmax on asked key / other key / asked value / other value / question / elsewhere; asked share of value hits')
for k in sorted(tally):
    t=tally[k]; v=t['asked value']+t['other value']
    if v < 10: continue
    print('L%d H%d: %s  asked %.0f%% of %d value hits (4 needles: 25%% by chance)'%(k[0],k[1],' / '.join(str(t[x]) for x in ['asked key','other key','asked value','other value','question','elsewhere']),100*t['asked value']/v,v))
