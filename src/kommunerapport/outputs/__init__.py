"""What the tool writes, and how it keeps track: file names and folders (``names``), one
run at a time in a folder (``lock``), the record of every report written (``records``)
and who approved which content (``approvals``).
"""
