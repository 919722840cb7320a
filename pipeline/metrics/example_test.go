package metrics_test

import (
	"fmt"
	"os"

	"github.com/ivadogo/ivadogo/pipeline/metrics"
)

func ExampleEvaluate3D() {
	gt := []float32{1, 1, 1, 1, 0, 0, 0, 0}
	pred := []float32{0, 1, 1, 1, 0, 0, 1, 0}
	row, _, err := metrics.Evaluate3D([][]float32{pred}, [][]float32{gt}, [3]int{1, 1, 8}, [3]float64{1, 1, 1}, metrics.DefaultEvalParams())
	if err != nil {
		fmt.Println(err)
		return
	}
	row.ID = "sub-01_T2w"
	metrics.WriteCSV(os.Stdout, []metrics.Row{row})
	// Output:
	// image_id,vol_pred_class0,vol_gt_class0,rvd_class0,avd_class0,dice_class0,recall_class0,precision_class0,specificity_class0,n_pred_class0,n_gt_class0,ltpr_class0,lfdr_class0,mse_class0
	// sub-01_T2w,4.0,4.0,0.0,0.0,0.75,0.75,0.75,0.75,2,1,1.0,0.5,2.0
}
