# Fork bomb: every process forks forever, children included, and never gives up.
# Expected: TasksMax caps the processes (EAGAIN), the wall clock ends the run, and every process
# of the bomb is gone afterwards (the script checks the host).
import os

first = True     # only the first process reports, so the output stays small
forks = 0
reported = False
while True:
    try:
        if os.fork() == 0:
            first = False      # the child joins the bomb
            continue
        forks += 1
    except OSError as e:
        if first and not reported:
            reported = True
            print("fork refused after %d forks: %s" % (forks, os.strerror(e.errno)), flush=True)
