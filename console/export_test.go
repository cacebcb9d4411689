package console

// WaitRuns waits for the audit runs started so far to end, so that a test reads a run's
// page once it is done without polling it.
func (c *Console) WaitRuns() { c.runs.wg.Wait() }

// WaitRun waits for the audit run at the address path (/console/audits/{run}) to end.
func (c *Console) WaitRun(path string) {
	const prefix = "/console/audits/"
	if len(path) <= len(prefix) {
		return
	}
	if run := c.runs.find(path[len(prefix):]); run != nil {
		<-run.done
	}
}
