"""What the tool writes, and how it keeps track: file names (``names``), one run at a
time in a folder (``lock``) and the record of every report written (``records``).
"""
