"""The Qt-free rows behind each page and report: a child's record, the court tracker, the
escalation register, the caseload overview, the facts of each episode and the measures."""
