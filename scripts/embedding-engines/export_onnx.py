import torch, sys
from transformers import AutoModel
base = AutoModel.from_pretrained(sys.argv[1]).eval()
class W(torch.nn.Module):
    def __init__(s, b): super().__init__(); s.b=b
    def forward(s, input_ids, attention_mask, token_type_ids):
        return s.b(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids).last_hidden_state
m = W(base)
ids = torch.ones(2, 16, dtype=torch.long)
torch.onnx.export(m, (ids, torch.ones_like(ids), torch.zeros_like(ids)), sys.argv[2],
  input_names=["input_ids","attention_mask","token_type_ids"], output_names=["last_hidden_state"],
  dynamic_axes={n:{0:"b",1:"s"} for n in ["input_ids","attention_mask","token_type_ids","last_hidden_state"]}, opset_version=17, dynamo=False)
