# curve_windows.py RUN.csv [W]: means over windows of W steps (default 250) of a training curve's CSV
# (`ra train-probe --curves RUN.png` writes RUN.csv beside it): the loss and token accuracy of the
# answers, the share of whole answers right ("whole", teacher-forced), milliseconds a step, and the
# curriculum's longest prompt and most keys at the window's end. Used for README, Results, point 17.
import csv
import sys

path = sys.argv[1]
window = int(sys.argv[2]) if len(sys.argv) > 2 else 250
rows = list(csv.DictReader(open(path)))
for i in range(0, len(rows), window):
    chunk = rows[i:i + window]
    mean = lambda key: sum(float(r[key]) for r in chunk) / len(chunk)
    print(f"{chunk[0]['step']:>6}-{chunk[-1]['step']:>6} loss {mean('loss'):.3f} tok {mean('token_accuracy'):.3f} "
          f"whole {mean('sample_accuracy'):.3f} ms {mean('millis'):.0f} "
          f"len {chunk[-1]['curriculum_length']} keys {chunk[-1]['curriculum_keys']}")
