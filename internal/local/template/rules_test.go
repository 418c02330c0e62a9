package template

import (
	"errors"
	"strings"
	"testing"
)

// rulesBase mirrors template.yaml's Rules: a REST API needs the Lambda
// authorizer; the REST-only extras need the REST API.
const rulesBase = `
Transform: AWS::Serverless-2016-10-31
Parameters:
  ApiType: {Type: String, Default: http}
  AuthorizerType: {Type: String, Default: lambda}
  RequireApiKey: {Type: String, Default: "false"}
  Cidrs: {Type: CommaDelimitedList, Default: ""}
  Region: {Type: String, Default: us-east-1}
Rules:
  RestNeedsLambda:
    RuleCondition: !Equals [!Ref ApiType, rest]
    Assertions:
      - Assert: !Equals [!Ref AuthorizerType, lambda]
        AssertDescription: ApiType=rest needs AuthorizerType=lambda
  ExtrasNeedRest:
    RuleCondition: !Not [!Equals [!Ref ApiType, rest]]
    Assertions:
      - Assert: !And
          - !Equals [!Ref RequireApiKey, "false"]
          - Fn::EachMemberEquals: [!Ref Cidrs, ""]
        AssertDescription: the REST extras need ApiType=rest
  KnownRegion:
    Assertions:
      - Assert:
          Fn::Or:
            - Fn::Contains: [[us-east-1, eu-west-1], !Ref Region]
            - Fn::EachMemberIn: [[!Ref Region], [ap-south-1]]
Resources:
  Q:
    Type: AWS::SQS::Queue
`

func TestRules(t *testing.T) {
	tests := []struct {
		name   string
		params map[string]string
		want   string // "" = accepted; else the refusal's description
	}{
		{"defaults", nil, ""},
		{"rest with the Lambda authorizer", map[string]string{"ApiType": "rest"}, ""},
		{"rest with the JWT authorizer", map[string]string{"ApiType": "rest", "AuthorizerType": "jwt"}, "ApiType=rest needs AuthorizerType=lambda"},
		{"http with the JWT authorizer (rule condition false)", map[string]string{"AuthorizerType": "jwt"}, ""},
		{"rest extra on http", map[string]string{"RequireApiKey": "true"}, "the REST extras need ApiType=rest"},
		{"cidrs on http", map[string]string{"Cidrs": "192.0.2.0/24"}, "the REST extras need ApiType=rest"},
		{"cidrs on rest", map[string]string{"ApiType": "rest", "Cidrs": "192.0.2.0/24,198.51.100.0/24"}, ""},
		{"Fn::EachMemberIn", map[string]string{"Region": "ap-south-1"}, ""},
		{"no rule function holds, no description", map[string]string{"Region": "sa-east-1"}, "does not hold"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := loadFixture(t, rulesBase, tc.params)
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "Rules") {
				t.Errorf("error %v, want ErrInvalid in Rules saying %q", err, tc.want)
			}
		})
	}
	t.Run("Fn::And takes up to 10 conditions", func(t *testing.T) {
		ten := "Fn::And: [" + strings.Repeat("!Equals [a, a], ", 9) + "!Equals [a, a]]"
		src := strings.Replace(rulesBase, "Fn::Contains: [[us-east-1, eu-west-1], !Ref Region]", ten, 1)
		if _, err := loadFixture(t, src, nil); err != nil {
			t.Errorf("10 conditions: %v", err)
		}
		if _, err := loadFixture(t, strings.Replace(src, "Fn::And: [", "Fn::And: [!Equals [a, a], ", 1), nil); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "2 to 10") {
			t.Errorf("11 conditions: error %v, want ErrInvalid", err)
		}
	})
	t.Run("a rule function the reader does not know is refused by name", func(t *testing.T) {
		src := strings.Replace(rulesBase, "Fn::Contains: [[us-east-1, eu-west-1], !Ref Region]", "Fn::RefAll: AWS::EC2::VPC::Id", 1)
		if _, err := loadFixture(t, src, nil); !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), "Fn::RefAll") {
			t.Errorf("error %v, want ErrUnsupported naming Fn::RefAll", err)
		}
	})
}
