# Runs torch_reference.py (path as first argument, then its own arguments) after the patch.
import sys, runpy, os
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torchvision_cpu_patch
script = sys.argv[1]; sys.argv = [script] + sys.argv[2:]
runpy.run_path(script, run_name="__main__")
